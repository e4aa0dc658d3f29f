export { registerDashboard, DASHBOARD_SECURITY_HEADERS, type DashboardOptions } from './register.js'
export { dashboardAssetsDir, loadDashboardAssets, type DashboardAsset } from './assets.js'
