// Vite turns `import x from '…?url'` into the URL of the file as it is served (vite/client declares this; the
// project's tsconfig does not load vite/client, so the scanning page declares the one form it uses).
declare module '*?url' {
  const url: string;
  export default url;
}
