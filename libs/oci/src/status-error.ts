import type { Response } from 'node-fetch';
import { NbprError } from '@nbpr/model';
import { registryErrorDetail } from './body';
import { redactUrl } from './redact';

/**
 * The error for a status the protocol does not expect at this step: what was being done, the
 * status, the registry's own error code and message when it sent some, and where.
 */
export async function unexpectedStatus(response: Response, url: string, what: string, idleTimeoutMs: number, hint?: string): Promise<NbprError> {
  const detail = await registryErrorDetail(response, url, idleTimeoutMs);
  return new NbprError(`${what}: the registry answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${detail ? ` (${detail})` : ''}`, {
    code: 'oci/unexpected-status',
    where: redactUrl(url),
    hint: hint ?? 'The registry does not behave as the OCI distribution spec says at this step; check the registry address, or report it with NBPR_DEBUG_HTTP=1 output.',
  });
}
