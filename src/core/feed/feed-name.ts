/** The two index feeds of the dual-feed failover (SPEC §6.4): `polygon` is primary, `massive` secondary. */
export type FeedName = 'polygon' | 'massive';
