// Placeholder until its issue lands: `directearn docs` says so instead of pretending to work.
import { type Command, UserFacingError } from '../command.js';

export const command: Command = {
  name: 'docs',
  summary: 'not built yet',
  help: 'Usage: directearn docs (not built yet)',
  async run() {
    throw new UserFacingError('this command is not built yet');
  },
};
