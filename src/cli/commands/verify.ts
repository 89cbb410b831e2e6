// Placeholder until its issue lands: `directearn verify` says so instead of pretending to work.
import { type Command, UserFacingError } from '../command.js';

export const command: Command = {
  name: 'verify',
  summary: 'not built yet',
  help: 'Usage: directearn verify (not built yet)',
  async run() {
    throw new UserFacingError('this command is not built yet');
  },
};
