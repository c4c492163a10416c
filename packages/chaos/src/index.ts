export {
  appendJournal,
  JournalCorruptError,
  type JournalEntry,
  pendingRollbacks,
  readJournal,
} from './journal.ts';
