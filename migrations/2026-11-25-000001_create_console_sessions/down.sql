SET lock_timeout = '5s';
-- revert create_console_sessions

DROP TABLE console_sessions;
