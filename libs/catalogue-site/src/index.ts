export { type PrebuiltStatus, renderCatalogueSite, type SitePackage } from './render-site';
