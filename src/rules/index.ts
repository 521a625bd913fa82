/** The rules capability: a pure engine (events → incident actions) and its hot-reloaded YAML rules file. */
export { RuleEngine, type RuleEngineOptions, type RuleEngineStats } from './engine.js';
export { describeIssue, type RuleIssue } from './issues.js';
export {
  DEFAULT_RULES_FILE, loadRulesFile, parseRulesYaml, RulesFileError, RulesFileWatcher,
  type RulesFileWatcherOptions, type RulesLoad, type RulesReload,
} from './rules-file.js';
export { parseRules, type Correlation, type GroupSelector, type Rule, type RulesParseResult } from './schema.js';
export * from './types.js';
