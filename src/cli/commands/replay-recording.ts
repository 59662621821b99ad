/** `replay --recording FILE` (filled in with the recording reader). */
import type { CliContext } from '../context.ts';
import type { Setting } from '../../app/replay/settings.ts';
import { UsageError } from '../errors.ts';

export async function replayRecordingCommand(_c: CliContext, _opt: { recording?: string }, _config: Setting['config'], _state: { exitCode: number }): Promise<void> {
  throw new UsageError('--recording: not available yet');
}
