/**
 * @ocelot/cli — the `ocelot` command. `main(argv, io)` runs it in-process (tests, embedding);
 * `bin/ocelot.js` runs it as a program. New commands are `defineCommand` objects added to a
 * `CommandRegistry` (see `builtinCommands`).
 */
export {
  builtinCommands,
  cliVersion,
  commandHelp,
  GLOBAL_OPTIONS,
  groupHelp,
  main,
} from './main.js';
export { CommandRegistry, defineCommand, ExitCode, UsageError } from './command.js';
export type {
  Command,
  CommandContext,
  CommandGroup,
  OptionSpec,
  OptionSpecs,
  OptionValues,
  PositionalSpec,
} from './command.js';
export { colourEnabled, createProgress, stylesFor } from './io.js';
export type { CliIO, CliStream, Progress, Styles } from './io.js';
export { evalCocoCommand } from './commands/eval-coco.js';
