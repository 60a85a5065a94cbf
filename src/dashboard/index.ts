export type { DashboardDependencies, DashboardLogger } from './context.js';
export { escapeHtml, html, SafeHtml } from './html.js';
export { type DeadLetterRow, type ErrorRow, type Overview, OverviewLoader, spineCodes } from './overview.js';
export { isNhsNumber, maskNhsNumbers, REDACTED, redactHl7, redactHttpBody, redactJson } from './redact.js';
export { dashboardRoutes } from './routes.js';
export { DASHBOARD_SESSION_COOKIE, DashboardSessions, LEGACY_KEY_COOKIE } from './session.js';
export { sparkline } from './sparkline.js';
export type { HeldReferralFacts, ReferralsPanel } from './views/referrals.js';
