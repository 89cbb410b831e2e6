// k6 provides `console` to scripts; @types/k6 does not declare it and these scripts have no DOM or node types.
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};
