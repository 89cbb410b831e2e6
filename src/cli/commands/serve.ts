// Placeholder until its issue lands: `directearn serve` says so instead of pretending to work.
import { type Command, UserFacingError } from '../command.js';

export const command: Command = {
  name: 'serve',
  summary: 'not built yet',
  help: 'Usage: directearn serve (not built yet)',
  async run() {
    throw new UserFacingError('this command is not built yet');
  },
};
