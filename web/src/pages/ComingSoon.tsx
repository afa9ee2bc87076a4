import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { COMING_SOON, type ComingSoonModule } from '../nav.ts';
import { NotFoundPage } from './NotFound.tsx';

export function ComingSoonPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { module } = useParams();
  if (!COMING_SOON.includes(module as ComingSoonModule)) return <NotFoundPage />;
  return (
    <Result
      status="info"
      data-testid="coming-soon"
      title={t('comingSoon.title')}
      subTitle={t('comingSoon.subtitle', { module: t(`menu.${module}`) })}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('common.backHome')}
        </Button>
      }
    />
  );
}
