-- A job's message in the reader's language, not its starter's.
--
-- A job's progress message and its failure's reason were written as text in the language of whoever started the job,
-- so a colleague reading the job in the other language read the starter's. Now `message` holds a message key
-- (src/http/messages.ts) and `message_params` its parameters, rendered when the job is read (platform/jobs/store.ts
-- viewOf). Rows written before have no parameters: their message is text, shown as written. A nullable column without
-- a default: no table rewrite.
alter table jobs add column message_params jsonb;
