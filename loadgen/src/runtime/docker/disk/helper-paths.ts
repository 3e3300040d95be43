// Where the disk helper container sees the host's directories (shared by helper.ts and helper-main.ts).
export const BACKING = '/backing';
export const HOST_ROOT = '/host';
