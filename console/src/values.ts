// The wire values the console offers, as Arca accepts them (src/api/wire-values.ts).
export const KEY_STATES = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'] as const;
export const KEY_SPECS = ['Aliyun_AES_256', 'Aliyun_SM4'] as const;
/** ScheduleKeyDeletion's PendingWindowInDays. */
export const PENDING_WINDOW_DAYS = { min: 7, max: 366, default: 30 } as const;
