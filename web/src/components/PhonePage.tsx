import { Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { LangSwitch } from './LangSwitch.tsx';

interface Back {
  to: string;
  label: string;
}

/**
 * The head of a page made for a phone: the title on a line of its own (a 390 px phone fits it in one line in zh-CN and
 * English; a longer one wraps within the column), then a row of what is tapped with a thumb, 40 px high and apart: the
 * language switch, and the one way back on the right. A row that cannot fit (a large system font) wraps rather than
 * overlapping, as the scanning page's header does.
 */
export function PhoneHeader({ title, subtitle, back }: { title: string; subtitle?: ReactNode; back: Back }) {
  return (
    <header style={{ marginBottom: 12 }}>
      <Typography.Title level={4} style={{ margin: 0, overflowWrap: 'anywhere' }} data-testid="phone-title">
        {title}
      </Typography.Title>
      {subtitle ? (
        <Typography.Text type="secondary" data-testid="phone-subtitle">
          {subtitle}
        </Typography.Text>
      ) : null}
      <div style={{ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: 8, marginTop: 8 }}>
        <LangSwitch size="large" />
        <Link
          to={back.to}
          data-testid="phone-back"
          style={{
            marginInlineStart: 'auto',
            display: 'inline-flex',
            alignItems: 'center',
            minHeight: 40,
            paddingInline: 12,
            border: '1px solid #d9d9d9',
            borderRadius: 8,
            background: '#fff',
            whiteSpace: 'nowrap',
          }}
        >
          {back.label}
        </Link>
      </div>
    </header>
  );
}

/** A page made for a phone (a store's or an inspector's task): a narrow column, its header (PhoneHeader), its content. */
export function PhonePage({ title, back, children }: { title: string; back: Back; children: ReactNode }) {
  return (
    <div style={{ maxWidth: 520, margin: '0 auto', padding: '12px 12px 48px', minHeight: '100vh', background: '#f5f5f5' }}>
      <PhoneHeader title={title} back={back} />
      {children}
    </div>
  );
}
