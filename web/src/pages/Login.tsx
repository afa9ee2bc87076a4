import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api, errorText } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { LangSwitch } from '../components/LangSwitch.tsx';

interface LoginForm {
  tenant: string;
  username: string;
  password: string;
}

export function LoginPage() {
  const { t } = useTranslation();
  const { status, refresh } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (status === 'authenticated') return <Navigate to={from} replace />;

  const onFinish = async (values: LoginForm) => {
    setSubmitting(true);
    setError(null);
    try {
      await api('/auth/login', { method: 'POST', body: values, quiet401: true });
      await refresh();
      navigate(from, { replace: true });
    } catch (e) {
      setError(errorText(e) || t('login.failed'));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(135deg, #ecfdf5 0%, #f0f9ff 100%)',
        padding: 16,
      }}
    >
      <Card style={{ width: '100%', maxWidth: 380 }}>
        <div style={{ display: 'flex', justifyContent: 'flex-end' }}>
          <LangSwitch />
        </div>
        <Typography.Title level={3} style={{ marginTop: 8, marginBottom: 0, color: '#0f766e' }}>
          Throughline
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
        {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" /> : null}
        <Form<LoginForm>
          layout="vertical"
          initialValues={{ tenant: 'demo', username: '', password: '' }}
          onFinish={(v) => void onFinish(v)}
          requiredMark={false}
          data-testid="login-form"
        >
          <Form.Item
            name="tenant"
            label={t('login.tenant')}
            rules={[{ required: true, message: t('login.required', { field: t('login.tenant') }) }]}
          >
            <Input data-testid="login-tenant" autoComplete="organization" />
          </Form.Item>
          <Form.Item
            name="username"
            label={t('login.username')}
            rules={[{ required: true, message: t('login.required', { field: t('login.username') }) }]}
          >
            <Input data-testid="login-username" autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, message: t('login.required', { field: t('login.password') }) }]}
          >
            <Input.Password data-testid="login-password" autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
