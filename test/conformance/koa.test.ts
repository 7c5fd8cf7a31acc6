import Koa2 from 'koa2'
import Koa3 from 'koa'
import { createKoaApp } from './apps/koa-app.js'
import { describeConformance } from './run-scenarios.js'

describeConformance('Koa 2', (deps) => createKoaApp(Koa2, deps).callback())
describeConformance('Koa 3', (deps) => createKoaApp(Koa3, deps).callback())
