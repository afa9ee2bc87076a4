import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onUnauthorized } from './api.ts';
import type { Me } from './types.ts';

interface AuthState {
  status: 'loading' | 'anonymous' | 'authenticated';
  me: Me | null;
  refresh: () => Promise<Me | null>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthState['status']>('loading');
  const [me, setMe] = useState<Me | null>(null);

  const refresh = useCallback(async () => {
    try {
      // 200 signed in or not (a signed-out login page logs no failed request); null user when signed out
      const m = await api<Me | { user: null }>('/auth/session', { quiet401: true });
      if (!m.user) {
        setMe(null);
        setStatus('anonymous');
        return null;
      }
      setMe(m as Me);
      setStatus('authenticated');
      return m as Me;
    } catch {
      setMe(null);
      setStatus('anonymous');
      return null;
    }
  }, []);

  const logout = useCallback(async () => {
    try {
      await api<void>('/auth/logout', { method: 'POST', quiet401: true });
    } finally {
      setMe(null);
      setStatus('anonymous');
    }
  }, []);

  useEffect(() => {
    void refresh();
    onUnauthorized(() => {
      setMe(null);
      setStatus('anonymous');
    });
    return () => onUnauthorized(null);
  }, [refresh]);

  const value = useMemo(() => ({ status, me, refresh, logout }), [status, me, refresh, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
