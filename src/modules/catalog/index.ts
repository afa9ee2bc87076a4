export { type ProductInput, type ValidProduct, checkProduct, yuanToFen } from './product-rules.ts';
export { insertProducts } from './product-writes.ts';
export { getProduct, listProducts, productCategories, type ProductListQuery } from './product-queries.ts';
