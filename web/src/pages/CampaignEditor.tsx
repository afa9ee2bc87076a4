import { Alert, App, Button, Checkbox, Form, Input, InputNumber, Modal, Radio, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../api.ts';
import { fromChinaInput, toChinaInput } from '../format.ts';
import { numberRule, WHOLE, YUAN } from '../numberRules.ts';
import { problemFields, yuanToFen } from '../problemFields.ts';

export interface CampaignDef {
  id: number;
  name: string;
  status: 'draft' | 'active' | 'paused' | 'ended';
  startsAt: string;
  endsAt: string;
  reward: {
    type: 'points' | 'lottery' | 'coupon';
    points?: number;
    tiers?: { name: string; amountFen: number; probability: number; count: number; awarded?: number; oneMore?: boolean }[];
    couponTitle?: string;
    couponPool?: number;
  };
  eligibility: { gtins: string[]; regions: string[]; firstScanOnly: boolean; newMembersOnly: boolean };
  limits: Record<
    'perConsumerDaily' | 'perConsumerTotal' | 'budgetTotalFen' | 'budgetDailyFen' | 'prizesTotal' | 'prizesDaily',
    number | null
  >;
  spentFen: number;
  prizesAwarded: number;
}

interface EditorForm {
  name: string;
  startsAt: string;
  endsAt: string;
  type: 'points' | 'lottery' | 'coupon';
  points?: number;
  tiers?: { name: string; amountYuan: number; probability: number; count: number; oneMore?: boolean }[];
  couponTitle?: string;
  couponCount?: number;
  gtins?: string[];
  regions?: string[];
  firstScanOnly?: boolean;
  newMembersOnly?: boolean;
  perConsumerDaily?: number | null;
  perConsumerTotal?: number | null;
  budgetTotalYuan?: number | null;
  budgetDailyYuan?: number | null;
  prizesTotal?: number | null;
  prizesDaily?: number | null;
}

const orNull = (v: number | null | undefined) => (v === undefined || v === null ? null : v);

function initial(c: CampaignDef | null): Partial<EditorForm> {
  if (!c) {
    const now = Date.now();
    return {
      type: 'points',
      points: 10,
      startsAt: toChinaInput(new Date(now).toISOString()),
      endsAt: toChinaInput(new Date(now + 30 * 86400_000).toISOString()),
      tiers: [{ name: '', amountYuan: 1, probability: 0.1, count: 100 }],
    };
  }
  const fen = (v: number | null) => (v === null ? null : v / 100);
  return {
    name: c.name,
    startsAt: toChinaInput(c.startsAt),
    endsAt: toChinaInput(c.endsAt),
    type: c.reward.type,
    points: c.reward.points,
    tiers: c.reward.tiers?.map((t) => ({
      name: t.name,
      amountYuan: t.amountFen / 100,
      probability: t.probability,
      count: t.count,
      oneMore: t.oneMore ?? false,
    })),
    couponTitle: c.reward.couponTitle,
    couponCount: c.reward.couponPool,
    ...c.eligibility,
    perConsumerDaily: c.limits.perConsumerDaily,
    perConsumerTotal: c.limits.perConsumerTotal,
    budgetTotalYuan: fen(c.limits.budgetTotalFen),
    budgetDailyYuan: fen(c.limits.budgetDailyFen),
    prizesTotal: c.limits.prizesTotal,
    prizesDaily: c.limits.prizesDaily,
  };
}

/** The campaign editor: the reward (points, a lottery's prize tiers, a coupon pool), who may take part, and the limits. */
export function CampaignEditor({
  campaign,
  open,
  onClose,
  onSaved,
}: {
  campaign: CampaignDef | null;
  open: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditorForm>();
  const type = Form.useWatch('type', form);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (v: EditorForm) => {
    setBusy(true);
    setProblem(null);
    const body = {
      name: v.name.trim(),
      startsAt: fromChinaInput(v.startsAt),
      endsAt: fromChinaInput(v.endsAt),
      reward: {
        type: v.type,
        ...(v.type === 'points' ? { points: v.points } : {}),
        ...(v.type === 'lottery'
          ? {
              tiers: (v.tiers ?? []).map((x) => ({
                name: x.name,
                amountFen: yuanToFen(x.amountYuan),
                probability: x.probability,
                count: x.count,
                ...(x.oneMore ? { oneMore: true } : {}),
              })),
            }
          : {}),
        ...(v.type === 'coupon' ? { couponTitle: v.couponTitle, couponCount: v.couponCount } : {}),
      },
      eligibility: {
        gtins: v.gtins ?? [],
        regions: v.regions ?? [],
        firstScanOnly: !!v.firstScanOnly,
        newMembersOnly: !!v.newMembersOnly,
      },
      limits: {
        perConsumerDaily: orNull(v.perConsumerDaily),
        perConsumerTotal: orNull(v.perConsumerTotal),
        budgetTotalFen: v.type === 'lottery' && orNull(v.budgetTotalYuan) !== null ? yuanToFen(v.budgetTotalYuan) : null,
        budgetDailyFen: v.type === 'lottery' && orNull(v.budgetDailyYuan) !== null ? yuanToFen(v.budgetDailyYuan) : null,
        prizesTotal: orNull(v.prizesTotal),
        prizesDaily: orNull(v.prizesDaily),
      },
    };
    try {
      await api(campaign ? `/campaigns/${campaign.id}` : '/campaigns', { method: campaign ? 'PUT' : 'POST', body });
      message.success(t('campaigns.saved'));
      onSaved();
    } catch (e) {
      setProblem(errorText(e));
      const rename = { points: 'points', budgetTotalFen: 'budgetTotalYuan', budgetDailyFen: 'budgetDailyYuan', amountFen: 'amountYuan' };
      // field pointers like /body/reward/tiers/0/probability name the form's tiers.0.probability
      form.setFields(
        problemFields(e, rename).map((f) => ({
          ...f,
          name: f.name.filter((n) => n !== 'reward' && n !== 'limits' && n !== 'eligibility'),
        })) as never,
      );
    } finally {
      setBusy(false);
    }
  };
  const req = [{ required: true, message: t('campaigns.required') }];
  return (
    <Modal
      open={open}
      onCancel={onClose}
      width={760}
      title={campaign ? t('campaigns.edit') : t('campaigns.new')}
      onOk={() => form.submit()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'campaign-save' } as never}
      destroyOnHidden
    >
      <Form<EditorForm> form={form} layout="vertical" onFinish={save} initialValues={initial(campaign)} preserve={false}>
        <Form.Item name="name" label={t('campaigns.name')} rules={req}>
          <Input maxLength={100} data-testid="campaign-name" />
        </Form.Item>
        <Space wrap>
          <Form.Item name="startsAt" label={t('campaigns.startsAt')} rules={req}>
            <Input type="datetime-local" data-testid="campaign-starts" />
          </Form.Item>
          <Form.Item name="endsAt" label={t('campaigns.endsAt')} rules={req}>
            <Input type="datetime-local" data-testid="campaign-ends" />
          </Form.Item>
        </Space>
        <Form.Item name="type" label={t('campaigns.rewardType')}>
          <Radio.Group data-testid="campaign-type">
            <Radio value="points">{t('campaigns.type.points')}</Radio>
            <Radio value="lottery" data-testid="campaign-type-lottery">
              {t('campaigns.type.lottery')}
            </Radio>
            <Radio value="coupon">{t('campaigns.type.coupon')}</Radio>
          </Radio.Group>
        </Form.Item>
        {type === 'points' ? (
          <Form.Item name="points" label={t('campaigns.points')} rules={[...req, numberRule({ ...WHOLE, min: 1, max: 1_000_000 })]}>
            <InputNumber data-testid="campaign-points" />
          </Form.Item>
        ) : null}
        {type === 'lottery' ? (
          <Form.List name="tiers">
            {(fields, { add, remove }) => (
              <div data-testid="campaign-tiers">
                <Typography.Text type="secondary">{t('campaigns.tiersHint')}</Typography.Text>
                {fields.map((f) => (
                  <Space key={f.key} align="start" wrap>
                    <Form.Item name={[f.name, 'name']} label={t('campaigns.tierName')} rules={req}>
                      <Input maxLength={40} style={{ width: 120 }} data-testid={`tier-name-${f.name}`} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'amountYuan']}
                      label={t('campaigns.amount')}
                      rules={[...req, numberRule({ ...YUAN, above: 0 })]}
                    >
                      <InputNumber precision={2} addonBefore="¥" style={{ width: 140 }} data-testid={`tier-amount-${f.name}`} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'probability']}
                      label={t('campaigns.probability')}
                      rules={[...req, numberRule({ min: 0, max: 1 })]}
                    >
                      <InputNumber step={0.01} style={{ width: 110 }} data-testid={`tier-probability-${f.name}`} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'count']} label={t('campaigns.count')} rules={[...req, numberRule({ ...WHOLE, min: 0 })]}>
                      <InputNumber style={{ width: 110 }} data-testid={`tier-count-${f.name}`} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'oneMore']} valuePropName="checked" label={t('campaigns.oneMore')}>
                      <Checkbox data-testid={`tier-one-more-${f.name}`}>{t('campaigns.oneMoreHint')}</Checkbox>
                    </Form.Item>
                    <Button style={{ marginTop: 30 }} onClick={() => remove(f.name)} disabled={fields.length <= 1}>
                      {t('campaigns.removeTier')}
                    </Button>
                  </Space>
                ))}
                <Button onClick={() => add({ name: '', amountYuan: 1, probability: 0.01, count: 10 })} data-testid="tier-add">
                  {t('campaigns.addTier')}
                </Button>
              </div>
            )}
          </Form.List>
        ) : null}
        {type === 'coupon' ? (
          <Space wrap>
            <Form.Item name="couponTitle" label={t('campaigns.couponTitle')} rules={req}>
              <Input maxLength={100} />
            </Form.Item>
            <Form.Item
              name="couponCount"
              label={t('campaigns.couponCount')}
              rules={[...req, numberRule({ ...WHOLE, min: 1, max: 100_000 })]}
            >
              <InputNumber />
            </Form.Item>
          </Space>
        ) : null}
        <Typography.Title level={5}>{t('campaigns.eligibility')}</Typography.Title>
        <Space wrap align="start">
          <Form.Item name="gtins" label="GTIN">
            <Select mode="tags" style={{ width: 300 }} tokenSeparators={[',', ' ']} placeholder={t('campaigns.any')} />
          </Form.Item>
          <Form.Item name="regions" label={t('campaigns.regions')} tooltip={t('campaigns.regionsHint')}>
            <Select mode="tags" style={{ width: 300 }} tokenSeparators={[',', ' ']} placeholder={t('campaigns.any')} />
          </Form.Item>
        </Space>
        <Space wrap>
          <Form.Item name="firstScanOnly" valuePropName="checked">
            <Checkbox>{t('campaigns.firstScanOnly')}</Checkbox>
          </Form.Item>
          <Form.Item name="newMembersOnly" valuePropName="checked">
            <Checkbox>{t('campaigns.newMembersOnly')}</Checkbox>
          </Form.Item>
        </Space>
        <Typography.Title level={5}>{t('campaigns.limits')}</Typography.Title>
        <Typography.Paragraph type="secondary" data-testid="campaign-limits-day">
          {t('campaigns.dailyIsChinaDay')}
        </Typography.Paragraph>
        <Space wrap>
          <Form.Item name="perConsumerDaily" label={t('campaigns.perConsumerDaily')} rules={[numberRule({ ...WHOLE, min: 1 })]}>
            <InputNumber />
          </Form.Item>
          <Form.Item name="perConsumerTotal" label={t('campaigns.perConsumerTotal')} rules={[numberRule({ ...WHOLE, min: 1 })]}>
            <InputNumber />
          </Form.Item>
          <Form.Item name="prizesTotal" label={t('campaigns.prizesTotal')} rules={[numberRule({ ...WHOLE, min: 0 })]}>
            <InputNumber data-testid="campaign-prizes-total" />
          </Form.Item>
          <Form.Item name="prizesDaily" label={t('campaigns.prizesDaily')} rules={[numberRule({ ...WHOLE, min: 0 })]}>
            <InputNumber />
          </Form.Item>
          {type === 'lottery' ? (
            <>
              <Form.Item name="budgetTotalYuan" label={t('campaigns.budgetTotal')} rules={[numberRule({ ...YUAN, min: 0 })]}>
                <InputNumber precision={2} addonBefore="¥" data-testid="campaign-budget-total" />
              </Form.Item>
              <Form.Item name="budgetDailyYuan" label={t('campaigns.budgetDaily')} rules={[numberRule({ ...YUAN, min: 0 })]}>
                <InputNumber precision={2} addonBefore="¥" />
              </Form.Item>
            </>
          ) : null}
        </Space>
      </Form>
      {problem ? <Alert type="error" showIcon message={problem} data-testid="campaign-problem" /> : null}
    </Modal>
  );
}
