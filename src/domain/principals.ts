/** The bootstrap administrator's principal: every permission (Alibaba's account owner). */
export const ADMIN_PRINCIPAL = 'admin';
/** The principal of Arca's own background jobs. */
export const SYSTEM_PRINCIPAL = 'arca:system';
