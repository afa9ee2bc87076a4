import { Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table/index.js';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import type { Page } from '../api.ts';
import { LoadError } from '../components/PageState.tsx';
import { dash, formatFen } from '../format.ts';
import type { Category, ProductRow } from '../types.ts';
import { useApi } from '../useApi.ts';
import { sortFromSorter, sortOrderOf, useQueryState } from '../useQueryState.ts';

const DEFAULTS = { page: '1', pageSize: '20', sort: 'name' };

export function ProductsPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const en = i18n.language === 'en';
  const { get, set } = useQueryState(DEFAULTS);
  const q = get('q');
  const category = get('category');
  const page = Number(get('page')) || 1;
  const pageSize = Number(get('pageSize')) || 20;
  const sort = get('sort');

  const { data, error, loading, reload } = useApi<Page<ProductRow>>('/products', {
    q,
    category,
    page,
    pageSize,
    sort,
  });
  const categories = useApi<{ items: Category[] }>('/products/categories');
  const categoryName = useMemo(() => {
    const names = new Map<string, string>();
    for (const c of categories.data?.items ?? []) names.set(c.code, (en ? c.nameEn : c.nameZh) || c.code);
    return (code: string) => names.get(code) ?? code;
  }, [categories.data, en]);

  const columns: ColumnsType<ProductRow> = [
    { key: 'sku', dataIndex: 'sku', title: t('products.sku'), sorter: true, sortOrder: sortOrderOf(sort, 'sku'), width: 140 },
    {
      key: 'name',
      title: t('products.name'),
      sorter: true,
      sortOrder: sortOrderOf(sort, 'name'),
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/products/${r.id}`}>{(en ? r.nameEn : r.nameZh) || r.nameZh || r.nameEn}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {en ? r.nameZh : r.nameEn}
          </Typography.Text>
        </Space>
      ),
    },
    { key: 'spec', dataIndex: 'spec', title: t('products.spec'), render: dash, width: 100 },
    { key: 'gtin', dataIndex: 'gtin', title: t('products.gtin'), width: 160 },
    { key: 'category', dataIndex: 'category', title: t('products.category'), render: (c: string) => categoryName(c) },
    { key: 'shelfLifeDays', dataIndex: 'shelfLifeDays', title: t('products.shelfLifeDays'), align: 'right', width: 120 },
    {
      key: 'listPrice',
      title: t('products.listPrice'),
      align: 'right',
      sorter: true,
      sortOrder: sortOrderOf(sort, 'listPrice'),
      render: (_, r) => formatFen(r.listPriceFen, r.currency),
      width: 130,
    },
    {
      key: 'status',
      dataIndex: 'status',
      title: t('common.status'),
      width: 100,
      render: (s: string) => <Tag color={s === 'active' ? 'green' : 'default'}>{t(`status.${s}`, { defaultValue: s })}</Tag>,
    },
  ];

  return (
    <div>
      <Typography.Title level={3}>{t('products.title')}</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          defaultValue={q}
          placeholder={t('products.searchPlaceholder')}
          onSearch={(v) => set({ q: v.trim() })}
          style={{ width: 300 }}
          data-testid="products-search"
        />
        <Select
          allowClear
          placeholder={t('products.allCategories')}
          value={category || undefined}
          onChange={(v?: string) => set({ category: v })}
          style={{ width: 200 }}
          loading={categories.loading}
          options={(categories.data?.items ?? []).map((c) => ({ value: c.code, label: categoryName(c.code) }))}
          data-testid="products-category"
        />
      </Space>
      <LoadError error={error} onRetry={reload} />
      <div data-testid="products-table">
        <Table<ProductRow>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={data?.items ?? []}
          loading={loading}
          onRow={(r) => ({ onDoubleClick: () => navigate(`/products/${r.id}`) })}
          pagination={{
            current: page,
            pageSize,
            total: data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100],
            showTotal: (n) => t('common.total', { count: n }),
          }}
          onChange={(p, _f, sorter) => {
            const nextSort = sortFromSorter(sorter) ?? DEFAULTS.sort;
            const sortChanged = nextSort !== sort;
            set({
              page: sortChanged || p.pageSize !== pageSize ? 1 : p.current,
              pageSize: p.pageSize,
              sort: nextSort,
            });
          }}
        />
      </div>
    </div>
  );
}
