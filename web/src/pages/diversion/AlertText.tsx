import { Space, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { DiversionPlace, DiversionProduct } from '../../types.ts';

/** A place as the server names it for people (placeName: 北京市 once, 南昌市东湖区), its code when it has no name. */
export function placeText(d: DiversionPlace | null | undefined): string {
  if (!d) return '—';
  return d.place ?? d.name ?? d.code;
}

/** The product by its name, the GTIN beside it (and in the tooltip) for whoever checks the label, then the lot. */
export function ProductCell({ product, gtin, lot }: { product: DiversionProduct | null; gtin: string | null; lot: string | null }) {
  const { t } = useTranslation();
  const name = product?.name ?? gtin ?? '—';
  return (
    <Space orientation="vertical" size={0}>
      <Tooltip title={gtin ? `GTIN ${gtin}${product?.sku ? ` · ${product.sku}` : ''}` : undefined}>
        <span data-testid="diversion-product">{name}</span>
      </Tooltip>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {[product?.name && gtin ? gtin : null, lot ? `${t('recall.lot')} ${lot}` : null].filter(Boolean).join(' · ')}
      </Typography.Text>
    </Space>
  );
}
