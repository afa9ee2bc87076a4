import { Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { LangSwitch } from './LangSwitch.tsx';

/** A page made for a phone (a store's or an inspector's task): a narrow column, its title, the language switch and one way back. */
export function PhonePage({ title, back, children }: { title: string; back: { to: string; label: string }; children: ReactNode }) {
  return (
    <div style={{ maxWidth: 520, margin: '0 auto', padding: '12px 12px 48px', minHeight: '100vh', background: '#f5f5f5' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        <Space>
          <LangSwitch />
          <Link to={back.to}>{back.label}</Link>
        </Space>
      </Space>
      {children}
    </div>
  );
}
