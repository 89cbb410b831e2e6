// Placeholder until its issue lands: `directearn load` says so instead of pretending to work.
import { type Command, UserFacingError } from '../command.js';

export const command: Command = {
  name: 'load',
  summary: 'not built yet',
  help: 'Usage: directearn load (not built yet)',
  async run() {
    throw new UserFacingError('this command is not built yet');
  },
};
