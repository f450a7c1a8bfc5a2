CREATE INDEX `jobs_queue_idx` ON `jobs` (`state`,`priority`,`run_at`);
