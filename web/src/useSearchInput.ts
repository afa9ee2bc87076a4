import { useEffect, useState } from 'react';

/**
 * What a search box typed, settled: `search` follows `setInput` 250 ms after the typing stops (trimmed), so a
 * server-searched select asks once per pause instead of once per key. `initial` is searched at once (a link's filter).
 */
export function useSearchInput(initial = ''): { search: string; setInput: (text: string) => void } {
  const [input, setInput] = useState(initial);
  const [search, setSearch] = useState(initial.trim());
  useEffect(() => {
    const timer = setTimeout(() => setSearch(input.trim()), 250);
    return () => clearTimeout(timer);
  }, [input]);
  return { search, setInput };
}
