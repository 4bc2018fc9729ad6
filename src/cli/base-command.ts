// The base of every mslk command: `--json` everywhere, and failures as one line naming the problem (never a
// stack trace; set MSLK_DEBUG=1 to see one).
import {Command, Errors} from '@oclif/core';

export abstract class MslkCommand extends Command {
  static override enableJsonFlag = true;

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof Errors.ExitError || error instanceof Errors.CLIError) return super.catch(error);
    if (process.env['MSLK_DEBUG']) this.logToStderr(error.stack ?? String(error));
    const message = (error.message || String(error)).split('\n')[0]!;
    return super.catch(new Errors.CLIError(message, {exit: error.exitCode ?? 1}));
  }
}
