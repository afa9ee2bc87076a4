-- The notes the server writes on the money it moves, in the reader's language (orders/funds-notes.ts).
--
-- A return's refund, a receipt difference's credit and a channel program's rebate were noted in English text
-- ("return R12", "difference 3 short", "channel program 5: sellout_rebate <code>"), the demo history's weekly
-- payment in Chinese; whoever read the funds ledger in the other language read them as written. Now `memo` holds a
-- message key and `memo_params` its parameters, rendered when the ledger is read; a memo a person typed has no
-- parameters and is shown as typed. A nullable column without a default: no table rewrite. The notes written before
-- are turned into keys here; only the kinds of transaction the server writes them on are touched, so a person's
-- deposit memo that happens to read "return X" stays theirs.
alter table funds_transactions add column if not exists memo_params jsonb;

update funds_transactions set memo = 'funds.note.return', memo_params = jsonb_build_object('returnNo', substring(memo from '^return (.+)$'))
where kind = 'refund' and memo ~ '^return .+$';

update funds_transactions
set memo = 'funds.note.difference',
  memo_params = jsonb_build_object('difference', substring(memo from '^difference (\d+) ')::bigint, 'kind', substring(memo from '^difference \d+ (\w+)$'))
where kind in ('refund', 'unsettle') and memo ~ '^difference \d+ \w+$';

update funds_transactions
set memo = 'funds.note.channel_program',
  memo_params = jsonb_build_object(
    'program', substring(memo from '^channel program (\d+): ')::bigint,
    'kind', substring(memo from '^channel program \d+: (\w+) '),
    'epc', substring(memo from '^channel program \d+: \w+ (.+)$'))
where kind = 'rebate' and memo ~ '^channel program \d+: \w+ .+$';

update funds_transactions set memo = 'funds.note.weekly_payment', memo_params = '{}'::jsonb
where kind = 'deposit' and actor = '演示历史' and memo in ('周结货款', '周结货款 / weekly payment');
