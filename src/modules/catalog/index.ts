// units per case of a product, as ordering, replenishment and plans count whole cases
export { caseSizes, type ProductCase, productCases } from './case-sizes.ts';
export { getProduct, listProducts, type ProductListQuery, productCategories } from './product-queries.ts';
export { checkProduct, type ProductInput, type ValidProduct, yuanToFen } from './product-rules.ts';
export { insertProducts } from './product-writes.ts';
