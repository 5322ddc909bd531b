"""The workflow engine: the evaluation state machine (defined once, as data), tasks and
deadlines, the audit log, notifications and reminders."""
