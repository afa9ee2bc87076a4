-- A simulation run is played by a job of the queue (platform/jobs), so a run whose server stopped is taken up again
-- by the next runner, or fails with its job, instead of staying 'running' for ever and holding one of the console's
-- two running slots. `error` now holds a message code (shown in the reader's language).
alter table simulation_runs add column job_id bigint;

-- runs started before this had no job: those still 'running' were lost with the process that played them
update simulation_runs set status = 'failed', error = 'simulation.interrupted', finished_at = now() where status = 'running';
