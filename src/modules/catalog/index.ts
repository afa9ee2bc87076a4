export { getProduct, listProducts, type ProductListQuery, productCategories } from './product-queries.ts';
export { checkProduct, type ProductInput, type ValidProduct, yuanToFen } from './product-rules.ts';
export { insertProducts } from './product-writes.ts';
