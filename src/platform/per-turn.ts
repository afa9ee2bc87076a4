/**
 * Collects what is handed over during one turn of the event loop and passes it on at once, at the turn's end
 * (setImmediate): the claims parsed in one turn cross to the claim thread as one message, its answers come back as
 * one (incentives/claim-thread.ts, claim-worker.ts). A message per item each way cost both threads ~6 % of their time.
 */
export function perTurn<T>(flush: (items: T[]) => void): (item: T) => void {
  let items: T[] = [];
  return (item) => {
    if (items.push(item) > 1) return;
    setImmediate(() => {
      const all = items;
      items = [];
      flush(all);
    });
  };
}
