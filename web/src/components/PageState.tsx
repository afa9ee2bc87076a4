import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, errorText, isRetryStatus } from '../api.ts';

/**
 * Whether trying the same request again could help: the server or the network failed, or asked us to wait. A refusal
 * of what was asked (bad input, not allowed, not found) stays a refusal, so its banner offers no retry.
 */
export function worthRetrying(error: unknown): boolean {
  return !(error instanceof ApiError) || isRetryStatus(error.status);
}

/**
 * The error banner shown above a page or table whose data failed to load. A refusal of the request itself (a code
 * that is not a code, a filter out of range) reads as what it is, with each field's reason, not as a failure to load.
 */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  const retry = worthRetrying(error);
  const reasons =
    error instanceof ApiError
      ? [...new Set((error.problem.errors ?? []).map((e) => e.detail ?? '').filter((d) => d && d !== error.problem.detail))]
      : [];
  return (
    <Alert
      type={retry ? 'error' : 'warning'}
      showIcon
      title={retry ? t('common.loadFailed') : errorText(error)}
      description={
        retry ? (
          errorText(error)
        ) : reasons.length ? (
          <ul style={{ margin: 0, paddingInlineStart: 20 }}>
            {reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : undefined
      }
      style={{ marginBottom: 16 }}
      data-testid="load-error"
      action={
        onRetry && retry ? (
          <Button size="small" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : null
      }
    />
  );
}
