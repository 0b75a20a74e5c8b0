// Child process of the kill -9 test: trains the resume fixture with checkpoints into argv[2].
import { initBackend } from '../../science/tf-backend.ts';
import { trainScoreNetwork } from '../../science/train-loop.ts';
import { RESUME_CONFIG, RESUME_N, resumeData } from './fixture.ts';

await initBackend('wasm');
await trainScoreNetwork(resumeData(), RESUME_N, RESUME_CONFIG, { scratchDir: process.argv[2] });
