// The conformance suite runs Express 4 and Koa 2 through pnpm aliases (express4: npm:express@^4,
// koa2: npm:koa@^2). Their surface used here is typed by the current major's types.
declare module 'express4' {
  import express from 'express'
  export default express
}

declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
