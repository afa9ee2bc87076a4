/**
 * The 34 province-level divisions of China (GB/T 2260 two-digit codes) with the latitude and longitude of their
 * capitals (public geographic facts, rounded to 0.01°). Province areas are drawn from the China map (chinaMap.ts);
 * a place on a path is put at its own coordinates or, without them, at its province's capital, and the path is drawn
 * on longitude/latitude axes when the map cannot be loaded.
 */
export interface ProvinceInfo {
  code: string;
  /** Short name, as on a map (内蒙古, not 内蒙古自治区). */
  nameZh: string;
  nameEn: string;
  capitalZh: string;
  capitalEn: string;
  lat: number;
  lng: number;
}

export const PROVINCES: readonly ProvinceInfo[] = [
  { code: '11', nameZh: '北京', nameEn: 'Beijing', capitalZh: '北京', capitalEn: 'Beijing', lat: 39.9, lng: 116.41 },
  { code: '12', nameZh: '天津', nameEn: 'Tianjin', capitalZh: '天津', capitalEn: 'Tianjin', lat: 39.13, lng: 117.2 },
  { code: '13', nameZh: '河北', nameEn: 'Hebei', capitalZh: '石家庄', capitalEn: 'Shijiazhuang', lat: 38.04, lng: 114.51 },
  { code: '14', nameZh: '山西', nameEn: 'Shanxi', capitalZh: '太原', capitalEn: 'Taiyuan', lat: 37.87, lng: 112.55 },
  { code: '15', nameZh: '内蒙古', nameEn: 'Inner Mongolia', capitalZh: '呼和浩特', capitalEn: 'Hohhot', lat: 40.84, lng: 111.75 },
  { code: '21', nameZh: '辽宁', nameEn: 'Liaoning', capitalZh: '沈阳', capitalEn: 'Shenyang', lat: 41.81, lng: 123.43 },
  { code: '22', nameZh: '吉林', nameEn: 'Jilin', capitalZh: '长春', capitalEn: 'Changchun', lat: 43.82, lng: 125.32 },
  { code: '23', nameZh: '黑龙江', nameEn: 'Heilongjiang', capitalZh: '哈尔滨', capitalEn: 'Harbin', lat: 45.8, lng: 126.53 },
  { code: '31', nameZh: '上海', nameEn: 'Shanghai', capitalZh: '上海', capitalEn: 'Shanghai', lat: 31.23, lng: 121.47 },
  { code: '32', nameZh: '江苏', nameEn: 'Jiangsu', capitalZh: '南京', capitalEn: 'Nanjing', lat: 32.06, lng: 118.8 },
  { code: '33', nameZh: '浙江', nameEn: 'Zhejiang', capitalZh: '杭州', capitalEn: 'Hangzhou', lat: 30.27, lng: 120.16 },
  { code: '34', nameZh: '安徽', nameEn: 'Anhui', capitalZh: '合肥', capitalEn: 'Hefei', lat: 31.82, lng: 117.23 },
  { code: '35', nameZh: '福建', nameEn: 'Fujian', capitalZh: '福州', capitalEn: 'Fuzhou', lat: 26.07, lng: 119.3 },
  { code: '36', nameZh: '江西', nameEn: 'Jiangxi', capitalZh: '南昌', capitalEn: 'Nanchang', lat: 28.68, lng: 115.86 },
  { code: '37', nameZh: '山东', nameEn: 'Shandong', capitalZh: '济南', capitalEn: 'Jinan', lat: 36.65, lng: 117.12 },
  { code: '41', nameZh: '河南', nameEn: 'Henan', capitalZh: '郑州', capitalEn: 'Zhengzhou', lat: 34.75, lng: 113.63 },
  { code: '42', nameZh: '湖北', nameEn: 'Hubei', capitalZh: '武汉', capitalEn: 'Wuhan', lat: 30.59, lng: 114.31 },
  { code: '43', nameZh: '湖南', nameEn: 'Hunan', capitalZh: '长沙', capitalEn: 'Changsha', lat: 28.23, lng: 112.94 },
  { code: '44', nameZh: '广东', nameEn: 'Guangdong', capitalZh: '广州', capitalEn: 'Guangzhou', lat: 23.13, lng: 113.26 },
  { code: '45', nameZh: '广西', nameEn: 'Guangxi', capitalZh: '南宁', capitalEn: 'Nanning', lat: 22.82, lng: 108.37 },
  { code: '46', nameZh: '海南', nameEn: 'Hainan', capitalZh: '海口', capitalEn: 'Haikou', lat: 20.04, lng: 110.2 },
  { code: '50', nameZh: '重庆', nameEn: 'Chongqing', capitalZh: '重庆', capitalEn: 'Chongqing', lat: 29.56, lng: 106.55 },
  { code: '51', nameZh: '四川', nameEn: 'Sichuan', capitalZh: '成都', capitalEn: 'Chengdu', lat: 30.57, lng: 104.07 },
  { code: '52', nameZh: '贵州', nameEn: 'Guizhou', capitalZh: '贵阳', capitalEn: 'Guiyang', lat: 26.65, lng: 106.63 },
  { code: '53', nameZh: '云南', nameEn: 'Yunnan', capitalZh: '昆明', capitalEn: 'Kunming', lat: 25.04, lng: 102.72 },
  { code: '54', nameZh: '西藏', nameEn: 'Tibet', capitalZh: '拉萨', capitalEn: 'Lhasa', lat: 29.65, lng: 91.17 },
  { code: '61', nameZh: '陕西', nameEn: 'Shaanxi', capitalZh: '西安', capitalEn: "Xi'an", lat: 34.34, lng: 108.94 },
  { code: '62', nameZh: '甘肃', nameEn: 'Gansu', capitalZh: '兰州', capitalEn: 'Lanzhou', lat: 36.06, lng: 103.83 },
  { code: '63', nameZh: '青海', nameEn: 'Qinghai', capitalZh: '西宁', capitalEn: 'Xining', lat: 36.62, lng: 101.78 },
  { code: '64', nameZh: '宁夏', nameEn: 'Ningxia', capitalZh: '银川', capitalEn: 'Yinchuan', lat: 38.49, lng: 106.23 },
  { code: '65', nameZh: '新疆', nameEn: 'Xinjiang', capitalZh: '乌鲁木齐', capitalEn: 'Urumqi', lat: 43.83, lng: 87.62 },
  { code: '71', nameZh: '台湾', nameEn: 'Taiwan', capitalZh: '台北', capitalEn: 'Taipei', lat: 25.03, lng: 121.57 },
  { code: '81', nameZh: '香港', nameEn: 'Hong Kong', capitalZh: '香港', capitalEn: 'Hong Kong', lat: 22.32, lng: 114.17 },
  { code: '82', nameZh: '澳门', nameEn: 'Macao', capitalZh: '澳门', capitalEn: 'Macao', lat: 22.2, lng: 113.54 },
];

const BY_CODE = new Map(PROVINCES.map((p) => [p.code, p]));

/** The province of a division code of any level (its first two digits). */
export function provinceOf(divisionCode: string | null | undefined): ProvinceInfo | undefined {
  return divisionCode ? BY_CODE.get(divisionCode.slice(0, 2)) : undefined;
}

/**
 * A province's name for the console's language: the server's (Chinese, full) name in Chinese, the English one
 * from this table in English.
 */
export function provinceLabel(code: string | null | undefined, serverName: string | null | undefined, en: boolean): string {
  const p = provinceOf(code);
  if (en && p) return p.nameEn;
  return serverName || p?.nameZh || code || '—';
}
