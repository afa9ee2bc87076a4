import { Button, Card, Descriptions, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { LoadError } from '../components/PageState.tsx';
import { dash, formatDate, formatFen } from '../format.ts';
import type { Category, ProductDetail } from '../types.ts';
import { useApi } from '../useApi.ts';

const LEVEL_ORDER = ['unit', 'inner', 'case', 'pallet'];

export function ProductDetailPage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const navigate = useNavigate();
  const { id } = useParams();
  const { data: p, error, loading, reload } = useApi<ProductDetail>(`/products/${encodeURIComponent(id ?? '')}`);

  const categories = useApi<{ items: Category[] }>('/products/categories');
  const cat = categories.data?.items.find((c) => c.code === p?.category);
  const categoryName = cat ? (i18n.language === 'en' ? cat.nameEn : cat.nameZh) || cat.code : p?.category;
  const packaging = [...(p?.packaging ?? [])].sort((a, b) => LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level));

  return (
    <div data-testid="product-detail">
      <Space style={{ marginBottom: 16 }}>
        <Button onClick={() => navigate(-1)}>{t('common.back')}</Button>
      </Space>
      <LoadError error={error} onRetry={reload} />
      {loading && !p ? <Skeleton active /> : null}
      {p ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {en ? p.nameEn || p.nameZh : p.nameZh} <Typography.Text type="secondary">{en ? p.nameZh : p.nameEn}</Typography.Text>
          </Typography.Title>
          <Card>
            <Descriptions
              column={{ xs: 1, md: 2, xl: 3 }}
              items={[
                { key: 'sku', label: t('products.sku'), children: p.sku },
                { key: 'gtin', label: t('products.gtin'), children: <Typography.Text copyable>{p.gtin}</Typography.Text> },
                { key: 'category', label: t('products.category'), children: categoryName },
                { key: 'spec', label: t('products.spec'), children: dash(p.spec) },
                { key: 'nameZh', label: t('products.nameZh'), children: p.nameZh },
                { key: 'nameEn', label: t('products.nameEn'), children: p.nameEn },
                { key: 'shelf', label: t('products.shelfLifeDays'), children: dash(p.shelfLifeDays) },
                { key: 'price', label: t('products.listPrice'), children: formatFen(p.listPriceFen, p.currency) },
                {
                  key: 'status',
                  label: t('common.status'),
                  children: (
                    <Tag color={p.status === 'active' ? 'green' : 'default'}>{t(`status.${p.status}`, { defaultValue: p.status })}</Tag>
                  ),
                },
              ]}
            />
          </Card>
          <Card title={t('products.packaging')}>
            <Table
              rowKey="level"
              size="small"
              pagination={false}
              dataSource={packaging}
              data-testid="packaging-table"
              columns={[
                {
                  key: 'level',
                  dataIndex: 'level',
                  title: t('products.level'),
                  render: (l: string) => t(`level.${l}`, { defaultValue: l }),
                },
                { key: 'gtin', dataIndex: 'gtin', title: t('products.gtin'), render: dash },
                { key: 'quantity', dataIndex: 'quantity', title: t('products.quantity'), align: 'right' },
                { key: 'unitsPer', dataIndex: 'unitsPer', title: t('products.unitsPer'), align: 'right', render: dash },
              ]}
            />
          </Card>
          <Card title={t('products.lots')}>
            <Table
              rowKey="id"
              size="small"
              dataSource={p.lots ?? []}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              columns={[
                { key: 'lotCode', dataIndex: 'lotCode', title: t('products.lotCode') },
                { key: 'productionDate', dataIndex: 'productionDate', title: t('products.productionDate'), render: formatDate },
                { key: 'expiryDate', dataIndex: 'expiryDate', title: t('products.expiryDate'), render: formatDate },
                { key: 'factoryName', dataIndex: 'factoryName', title: t('products.factory'), render: dash },
              ]}
            />
          </Card>
        </Space>
      ) : null}
    </div>
  );
}
