import { Alert, Button, Card, Descriptions, Input, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorText } from '../api.ts';
import { DivisionFilter, type DivisionValue } from '../components/DivisionFilter.tsx';
import { PhonePage } from '../components/PhonePage.tsx';
import { UnitCode } from '../components/UnitCode.tsx';
import { CameraScanner, cameraAvailable } from '../scan/Camera.tsx';

interface Inspection {
  code: string;
  foundIn: { code: string; name: string | null };
  recall: { reason: string } | null;
  distributor: { code: string; name: string; territories: { code: string; name: string | null }[] } | null;
  diverted: boolean;
  alertId: number | null;
}

const NO_PLACE: DivisionValue = { provinceCode: '', cityCode: '', districtCode: '' };

/**
 * 市场稽查 on a phone: a market inspector finds a unit on a shelf, scans its code and says where it was found; the
 * answer names the distributor it was shipped to and that distributor's territory, says whether the unit is out of
 * place (窜货, and then a diversion alert is raised for sales ops to review) and whether its lot is recalled
 * (POST /api/v1/inspections).
 */
export function MarketInspectionPage() {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [place, setPlace] = useState<DivisionValue>(NO_PLACE);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [camera, setCamera] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<Inspection | null>(null);
  const division = place.districtCode || place.cityCode || place.provinceCode;

  const submit = async () => {
    setProblem(null);
    if (!code.trim() || !division) {
      setProblem(t(code.trim() ? 'inspection.placeRequired' : 'inspection.codeRequired'));
      return;
    }
    setBusy(true);
    try {
      setResult(
        await api<Inspection>('/inspections', {
          method: 'POST',
          body: { code: code.trim(), divisionCode: division, ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      );
      setCode('');
      setNote('');
    } catch (e) {
      setResult(null);
      // a code the brand never issued or saw is what an inspector hunts (a counterfeit), not a missing record
      if (e instanceof ApiError && e.status === 404) setProblem(t('inspection.unknownCode'));
      else setProblem((e instanceof ApiError ? e.problem.errors?.[0]?.detail : undefined) ?? errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <PhonePage title={t('inspection.title')} back={{ to: '/trace/diversion', label: t('inspection.toAlerts') }}>
      <Card>
        <Typography.Paragraph type="secondary">{t('inspection.hint')}</Typography.Paragraph>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Input
            size="large"
            autoFocus
            value={code}
            placeholder={t('inspection.codePlaceholder')}
            aria-label={t('inspection.codeLabel')}
            onChange={(e) => setCode(e.target.value)}
            data-testid="inspection-code"
          />
          {cameraAvailable() ? (
            <Button block onClick={() => setCamera(true)} data-testid="inspection-camera">
              {t('scan.camera.open')}
            </Button>
          ) : null}
          <Typography.Text>{t('inspection.foundIn')}</Typography.Text>
          <Space wrap>
            <DivisionFilter value={place} onChange={setPlace} />
          </Space>
          <Input.TextArea
            rows={2}
            maxLength={500}
            value={note}
            placeholder={t('inspection.note')}
            aria-label={t('inspection.note')}
            data-testid="inspection-note"
            onChange={(e) => setNote(e.target.value)}
          />
          <Button type="primary" size="large" block loading={busy} onClick={() => void submit()} data-testid="inspection-submit">
            {t('inspection.submit')}
          </Button>
        </Space>
      </Card>
      {camera ? (
        <CameraScanner
          onRead={(text) => {
            setCamera(false);
            setCode(text);
            return 'added';
          }}
          onClose={() => setCamera(false)}
        />
      ) : null}
      {problem ? <Alert style={{ marginTop: 12 }} type="error" showIcon message={problem} data-testid="inspection-problem" /> : null}
      {result ? (
        <Card style={{ marginTop: 12 }} data-testid="inspection-result">
          <Alert
            type={result.diverted || result.recall ? 'error' : 'success'}
            showIcon
            style={{ marginBottom: 12 }}
            data-testid="inspection-verdict"
            message={
              result.diverted
                ? t('inspection.diverted', { alert: result.alertId ?? '—' })
                : result.distributor
                  ? t('inspection.inPlace')
                  : t('inspection.noDistributor')
            }
            description={result.recall ? t('inspection.recalled', { reason: result.recall.reason }) : undefined}
          />
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('inspection.foundIn')}>{result.foundIn.name ?? result.foundIn.code}</Descriptions.Item>
            <Descriptions.Item label={t('inspection.distributor')}>
              {result.distributor ? `${result.distributor.name} (${result.distributor.code})` : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('inspection.territory')}>
              {result.distributor?.territories.length
                ? result.distributor.territories.map((x) => <Tag key={x.code}>{x.name ?? x.code}</Tag>)
                : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('inspection.code')}>
              <span style={{ overflowWrap: 'anywhere' }}>
                <UnitCode epc={result.code} testId="inspection-unit" />
              </span>
            </Descriptions.Item>
          </Descriptions>
        </Card>
      ) : null}
    </PhonePage>
  );
}
