import { Alert, App, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText, formFieldErrors } from '../../api.ts';
import { formatNumber } from '../../format.ts';
import type { DiversionBulkReview } from '../../types.ts';

export type Decision = 'confirmed' | 'dismissed';

/** The most alerts one bulk review takes (the server's MAX_BULK_REVIEW). */
export const MAX_BULK_REVIEW = 2000;

/**
 * Confirms or dismisses many open alerts (a group, or the rows picked) with one note, in one request: the server
 * takes all of them or none, and audits each. A second press is harmless: the server leaves alerts that already have
 * the decision as they are.
 */
export function BulkReviewDialog({
  ids,
  decision,
  summary,
  onDone,
  onClose,
}: {
  ids: number[];
  decision: Decision;
  /** what the alerts have in common, e.g. the distributor and where they turned up */
  summary: string;
  onDone: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ note?: string }>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const confirming = decision === 'confirmed';

  const submit = async () => {
    const { note } = await form.validateFields();
    setBusy(true);
    setFailure(null);
    try {
      const r = await api<DiversionBulkReview>('/diversion/alerts/review', {
        method: 'POST',
        body: { ids, decision, ...(note?.trim() ? { note: note.trim() } : {}) },
      });
      message.success(t(confirming ? 'diversion.bulkConfirmedOk' : 'diversion.bulkDismissedOk', { count: r.reviewed.length }));
      onDone();
    } catch (e) {
      const fields = formFieldErrors(e, ['note'] as const);
      if (fields.length) form.setFields(fields);
      else setFailure(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t(confirming ? 'diversion.bulkConfirmTitle' : 'diversion.bulkDismissTitle', { count: ids.length })}
      okText={t(confirming ? 'diversion.confirm' : 'diversion.dismiss')}
      okButtonProps={{ danger: confirming, loading: busy, ...{ 'data-testid': 'diversion-bulk-ok' } }}
      cancelText={t('common.cancel')}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">
        {t(confirming ? 'diversion.bulkConfirmHint' : 'diversion.bulkDismissHint', { count: formatNumber(ids.length), summary })}
      </Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="note" label={t('diversion.reviewNote')} rules={[{ max: 500, message: t('diversion.noteLength') }]}>
          <Input.TextArea
            rows={3}
            maxLength={500}
            showCount
            placeholder={t(confirming ? 'diversion.confirmPlaceholder' : 'diversion.dismissPlaceholder')}
            data-testid="diversion-bulk-note"
          />
        </Form.Item>
      </Form>
      {failure ? <Alert type="error" showIcon title={failure} data-testid="diversion-bulk-error" /> : null}
    </Modal>
  );
}
