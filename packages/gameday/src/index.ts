export {
  type GameDayExpectations,
  parseGameDayExpectations,
} from './gameday-expectations.ts';
export {
  type GameDayFiles,
  gameDayHtml,
  gameDayJunit,
  gameDayStepSummary,
  PROPERTY_COLUMNS,
  type PropertyColumn,
  type PropertyRow,
  propertyRows,
  writeGameDayReport,
} from './gameday-report.ts';
export {
  buildGameDayTimeline,
  GameDayInputError,
  type GameDayOptions,
  type GameDayPoint,
  type GameDayResult,
  type GameDayTimeline,
  runGameDay,
  SKIPPABLE_STAGES,
  STAGES,
  type StageName,
  type StageResult,
} from './run-gameday.ts';
