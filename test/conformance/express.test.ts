import express4 from 'express4'
import express5 from 'express'
import { createExpressApp } from './apps/express-app.js'
import { describeConformance } from './run-scenarios.js'

describeConformance('Express 4', (deps) => createExpressApp(express4, deps))
describeConformance('Express 5', (deps) => createExpressApp(express5, deps))
