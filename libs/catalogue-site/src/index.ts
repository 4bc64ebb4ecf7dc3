export { renderCatalogueSite, type PrebuiltStatus, type SitePackage } from './render-site';
