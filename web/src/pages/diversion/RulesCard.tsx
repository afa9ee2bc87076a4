/** The brand's diversion rules: the territory level a unit must stay in, the distributors exempt, a monthly cap per city. */
import { Alert, App, Button, Card, Form, InputNumber, Segmented, Skeleton, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText, formFieldErrors } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { LoadError } from '../../components/PageState.tsx';
import { PartyPicker } from '../../components/PartyPicker.tsx';
import { formatNumber } from '../../format.ts';
import { may } from '../../nav.ts';
import { numberRule, WHOLE } from '../../numberRules.ts';
import type { DiversionRules } from '../../types.ts';
import { useApi } from '../../useApi.ts';

export function RulesCard() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const canEdit = may('diversion:write', me?.user.role);
  const { data, error, loading, reload } = useApi<DiversionRules>('/diversion/rules');
  const [form] = Form.useForm<DiversionRules>();
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    if (data) form.setFieldsValue({ ...data, level: Number(data.level) === 2 ? 2 : 4 });
  }, [data, form]);

  const save = async (v: DiversionRules) => {
    setSaving(true);
    setFailure(null);
    try {
      const body = { level: v.level, exemptPartyIds: v.exemptPartyIds ?? [], monthlyCityCapUnits: v.monthlyCityCapUnits ?? null };
      await api<DiversionRules>('/diversion/rules', { method: 'PUT', body });
      message.success(t('diversion.rulesSaved'));
      reload();
    } catch (e) {
      const fields = formFieldErrors(e, ['level', 'exemptPartyIds', 'monthlyCityCapUnits'] as const);
      if (fields.length) form.setFields(fields);
      else setFailure(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card title={t('diversion.rules')} data-testid="diversion-rules">
      <LoadError error={error} onRetry={reload} />
      {loading && !data ? (
        <Skeleton active />
      ) : (
        <Form<DiversionRules>
          form={form}
          layout="vertical"
          disabled={!canEdit}
          onFinish={(v) => void save(v)}
          initialValues={{ level: 4, exemptPartyIds: [], monthlyCityCapUnits: null }}
        >
          <Form.Item name="level" label={t('diversion.ruleLevel')} extra={t('diversion.levelHint')}>
            <Segmented<number>
              options={[
                { value: 2, label: t('diversion.level2') },
                { value: 4, label: t('diversion.level4') },
              ]}
              data-testid="diversion-rule-level"
            />
          </Form.Item>
          <Form.Item name="exemptPartyIds" label={t('diversion.exempt')} extra={t('diversion.exemptHint')}>
            <PartyPicker multiple kind="distributor" placeholder={t('diversion.exemptPlaceholder')} testId="diversion-rule-exempt" />
          </Form.Item>
          <Form.Item
            name="monthlyCityCapUnits"
            label={t('diversion.cap')}
            extra={t('diversion.capHint')}
            rules={[numberRule({ ...WHOLE, min: 1 })]}
          >
            <InputNumber<number>
              style={{ width: 220 }}
              placeholder={t('diversion.noCap')}
              formatter={(v) => (v === undefined || v === null || `${v}` === '' ? '' : formatNumber(Number(v)))}
              data-testid="diversion-rule-cap"
            />
          </Form.Item>
          {failure ? <Alert type="error" showIcon title={failure} style={{ marginBottom: 16 }} /> : null}
          {canEdit ? (
            <Button type="primary" htmlType="submit" loading={saving} data-testid="diversion-rule-save">
              {t('common.save')}
            </Button>
          ) : (
            <Typography.Text type="secondary">{t('diversion.rulesReadOnly')}</Typography.Text>
          )}
        </Form>
      )}
    </Card>
  );
}
