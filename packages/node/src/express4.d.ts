// Express 4, installed as `express4` (npm:express@4) beside Express 5 for the adapter matrix; same API surface here.
declare module 'express4' {
  import express from 'express'
  export default express
}
