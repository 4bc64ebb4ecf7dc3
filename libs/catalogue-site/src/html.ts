/** Text as HTML text or attribute value: every character with a meaning in markup escaped. */
export function html(text: string | number | boolean): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A link target only when it is an http(s) URL: a catalogue's homepage never becomes script. */
export function safeHref(url: string): string | undefined {
  return /^https?:\/\/[^\s"'<>]+$/.test(url) ? html(url) : undefined;
}

/** JSON inside <script type="application/json">: no `</script>`, no line separators that end strings. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
