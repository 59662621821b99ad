/** The Massive simulator's public surface (for the `sim` command, replay and tests). */
export { startMassiveSim, type MassiveSim, type MassiveSimOptions, type SimClientInfo, type SimLogEntry } from './server.ts';
export { SimIndexDays, weekdaySession, type SimSession } from './paths.ts';
export { ScriptedIndexFeed, type ScriptedFeedOptions } from './scripted-feed.ts';
