export const IPAM_VERSION = '0.1.0';
