"""Inference: ``Tagger`` loads a trained slant model and turns texts into spans."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer

from slant.errors import ModelError
from slant.model.config import ModelConfig
from slant.model.encoder import KNOWN_ENCODERS, BaseEncoder, resolve_base_model, sha256_file, verified_model_dir
from slant.model.files import load_weights
from slant.model.heads import HeadSpec, attach_heads
from slant.model.network import ANY_CHANNEL, SpanTagger, build_network, pool_span, resolve_device, span_features
from slant.model.pooling import SpanPooler
from slant.model.profiles import DEFAULT_PROFILE
from slant.model.rhetoric import load_classifiers, rhetoric_dir_for, rhetoric_spans  # scare quotes, assertions
from slant.model.rhetoric.vectors import vectors_from_prediction
from slant.model.windows import TokenizedText, Window, char_span_to_tokens, make_windows, pack_windows, tokenize_batch
from slant.pipeline.decoding import decode_runs, has_content_word
from slant.pipeline.head_spans import candidate_spans
from slant.resolve import model_folder
from slant.spans import Span
from slant.text.context import TextContext


@dataclass
class TokenPredictions:
    """Per-token channel probabilities for one text, averaged over the windows that saw each token."""

    text: str
    tokens: TokenizedText
    probs: np.ndarray  # (n_tokens, n_channels)
    hidden: torch.Tensor | None  # (n_tokens, hidden) when asked for (span classification)
    # (n_tokens, len(head_layers) * hidden): the layers the candidate heads pool, side by side (slant.model.heads).
    head_states: torch.Tensor | None = None
    # The pooled hidden state of each span asked for with ``pool_spans`` (slant.model.pooling), in that order.
    span_vectors: list[np.ndarray | None] | None = None


def base_dir_for(base: dict) -> Path:
    known = KNOWN_ENCODERS.get(base.get("name", ""))
    if known is not None and base.get("sha256") == known.sha256:
        return verified_model_dir(known)
    if base.get("package"):
        encoder = BaseEncoder(
            name=base["name"],
            package=base["package"],
            version=base["version"],
            module=base["module"],
            subdir=base["subdir"],
            sha256=base["sha256"],
        )
        return verified_model_dir(encoder)
    return resolve_base_model(base["path"])


def _check_texts(texts: list) -> None:
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, expected str")


class Tagger:
    """A trained slant model. ``classify`` is thread-safe: inference holds no shared mutable state but a lock
    around the forward pass keeps torch's intra-op threads from being oversubscribed by concurrent callers."""

    def __init__(
        self,
        config: ModelConfig,
        network: SpanTagger,
        tokenizer,
        model_dir: Path | None = None,
        device: torch.device | None = None,
    ):
        self.config = config
        self.device = device or torch.device("cpu")
        self.network = network.eval().to(self.device)
        self.tokenizer = tokenizer
        self.model_dir = model_dir
        self.batch_size = 32
        self._lock = threading.Lock()
        self._channel_index = {name: i for i, name in enumerate(config.channels)}
        # The candidate heads' learned state beside their weights (slant.model.heads.HeadSpec), by kind.
        self.head_specs = {kind: HeadSpec.from_dict(spec) for kind, spec in config.heads.items()}
        layer_lists = {tuple(spec.layers) for spec in self.head_specs.values()}
        if len(layer_lists) > 1:  # one pass keeps one set of layer states, which every head pools
            raise ModelError(f"the candidate heads of {model_dir} pool different encoder layers: {layer_lists}")
        self.head_layers: list[int] = list(next(iter(layer_lists))) if layer_lists else []

    # ---- loading -------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None, profile: str = DEFAULT_PROFILE, device: str | None = None) -> Tagger:
        """Load ``model/`` (default), a named model ("accurate"), or a model folder; decode with ``profile``
        ("news", the default, or "memes": see ``slant.model.profiles``) on ``device`` (None or "auto": the GPU when
        torch sees one, else the CPU; or "cpu", "cuda", ...)."""
        torch_device = resolve_device(device)
        folder = model_folder(path)  # ModelNotFoundError (a FileNotFoundError) naming the folder
        config = ModelConfig.read(folder / "config.json")
        config.use_profile(profile)
        base_dir = base_dir_for(config.base)
        network = build_network(
            base_dir, len(config.channels), len(config.span_labels), config.dropout, config.lora, config.span_hidden
        )
        attach_heads(network, config.heads)
        # Weights may be stored in float16 (a smaller file); inference computes in float32.
        state = {name: tensor.float() for name, tensor in load_weights(folder / "weights.safetensors").items()}
        missing = set(state) - {name for name, _ in network.named_parameters()}
        if missing:
            raise ModelError(f"{folder / 'weights.safetensors'} holds unknown tensors: {sorted(missing)[:3]}")
        try:
            network.load_state_dict(state, strict=False)
        except RuntimeError as exc:  # tensors of other shapes: weights of another model than config.json says
            reason = str(exc).strip().splitlines()[-1].strip()
            weights, config_path = folder / "weights.safetensors", folder / "config.json"
            raise ModelError(f"{weights} does not fit {config_path}: {reason}") from None
        if config.lora is not None:
            # Fold the adapters into the encoder's weights: same outputs, no adapter cost per call.
            network.encoder = network.encoder.merge_and_unload()
        tokenizer = AutoTokenizer.from_pretrained(base_dir)
        tokenizer.model_max_length = 1 << 30  # slant cuts its own windows; silence the length warning
        return cls(config, network, tokenizer, folder, torch_device)

    @functools.cached_property
    def tagger_id(self) -> str | None:
        """sha256 (16 hex digits) of the weights file: what a rhetoric VectorModel checks it was trained on."""
        weights = self.model_dir / "weights.safetensors" if self.model_dir else None
        return sha256_file(weights)[:16] if weights and weights.is_file() else None

    # ---- token level ---------------------------------------------------------------------------------------
    @torch.inference_mode()
    def predict_tokens(
        self,
        texts: list[str],
        with_hidden: bool = False,
        pool_spans: list[list[tuple[int, int]]] | None = None,
    ) -> list[TokenPredictions]:
        """Token probabilities per text, averaged over the windows that saw each token; ``with_hidden`` also keeps
        every token's last-layer state (span classification) and, for a model with candidate heads, the states of
        the layers those heads pool, all from the same encoder pass; ``pool_spans`` (one list of character spans
        per text) keeps only each span's mean last-layer state (bounded memory; the rhetoric vector models)."""
        _check_texts(texts)
        if pool_spans is not None and len(pool_spans) != len(texts):
            raise ValueError(f"pool_spans has {len(pool_spans)} lists for {len(texts)} texts")
        tokens = tokenize_batch(self.tokenizer, texts)
        windows: list[Window] = []
        for doc_index, tok in enumerate(tokens):
            if len(tok):
                windows.extend(make_windows(len(tok), doc_index, self.config.max_tokens, self.config.stride))
        n_channels = len(self.config.channels)
        hidden_size = self.network.token_head.in_features
        layers = self.head_layers if with_hidden else []
        prob_sums = [np.zeros((len(t), n_channels), dtype=np.float32) for t in tokens]
        counts = [np.zeros(len(t), dtype=np.float32) for t in tokens]
        hidden_sums = [torch.zeros(len(t), hidden_size) for t in tokens] if with_hidden else None
        state_sums = [torch.zeros(len(t), len(layers) * hidden_size) for t in tokens] if layers else None
        poolers = None
        if pool_spans is not None:
            # Window counts per token are known before any forward pass, so windows can be pooled as they come.
            window_counts = [np.zeros(len(t), dtype=np.float32) for t in tokens]
            for w in windows:
                window_counts[w.doc_index][w.token_start : w.token_end] += 1
            poolers = [
                SpanPooler(tok.offsets, window_counts[i], pool_spans[i], hidden_size) for i, tok in enumerate(tokens)
            ]
        # Length bucketing: windows of similar length share a batch, so little compute goes to padding.
        windows.sort(key=lambda w: w.token_end - w.token_start)
        cls_id, sep_id = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        pad_id = self.tokenizer.pad_token_id or 0
        for batch_start in range(0, len(windows), self.batch_size):
            batch = windows[batch_start : batch_start + self.batch_size]
            pieces = [tokens[w.doc_index].input_ids[w.token_start : w.token_end] for w in batch]
            input_ids, attention = pack_windows(pieces, cls_id, sep_id, pad_id)
            states = None
            with self._lock:
                input_ids, attention = input_ids.to(self.device), attention.to(self.device)
                if layers:
                    hidden, states = self.network.encode_layers(input_ids, attention, layers)
                    states = states.float().cpu()
                else:
                    hidden = self.network.encode(input_ids, attention)
                probs = torch.sigmoid(self.network.token_logits(hidden)).float().cpu().numpy()
                if hidden_sums is not None or poolers is not None:  # copied off a GPU only when needed
                    hidden = hidden.float().cpu()
            for row, w in enumerate(batch):
                n = w.token_end - w.token_start
                prob_sums[w.doc_index][w.token_start : w.token_end] += probs[row, 1 : n + 1]
                counts[w.doc_index][w.token_start : w.token_end] += 1
                if hidden_sums is not None:
                    hidden_sums[w.doc_index][w.token_start : w.token_end] += hidden[row, 1 : n + 1]
                if state_sums is not None and states is not None:
                    state_sums[w.doc_index][w.token_start : w.token_end] += states[row, 1 : n + 1]
                if poolers is not None:
                    poolers[w.doc_index].add(w.token_start, w.token_end, hidden[row, 1 : n + 1].numpy())
        result = []
        for i, text in enumerate(texts):
            denom = np.maximum(counts[i], 1)[:, None]
            scale = torch.from_numpy(denom)
            hid = hidden_sums[i] / scale if hidden_sums is not None else None
            head_states = state_sums[i] / scale if state_sums is not None else None
            vectors = poolers[i].vectors() if poolers is not None else None
            result.append(TokenPredictions(text, tokens[i], prob_sums[i] / denom, hid, head_states, vectors))
        return result

    # ---- spans ---------------------------------------------------------------------------------------------
    def calibrate(self, channel: str, raw: float) -> float:
        table = self.config.calibration.get(channel)
        if not table:
            return float(min(max(raw, 0.0), 1.0))
        return float(np.interp(raw, table["x"], table["y"]))

    def channel_spans(self, pred: TokenPredictions, channel: str) -> list[Span]:
        settings = self.config.thresholds[channel]
        if not settings.get("enabled", True):  # off: not annotated in this genre, or it fired mostly wrongly
            return []
        index = self._channel_index[channel]
        runs = decode_runs(
            pred.text,
            pred.tokens.offsets,
            pred.probs[:, index],
            settings["threshold"],
            max_gap=settings.get("max_gap", 0),
        )
        # A run of function words alone ("the", "it is") is a fragment the tagger half saw, not a finding; dropping
        # such runs raised held-out-train FLC for both models and both profiles with SI within 0.001 or better.
        return [
            Span.from_text(pred.text, r.start, r.end, channel, self.calibrate(channel, r.score))
            for r in runs
            if has_content_word(pred.text[r.start : r.end])
        ]

    def technique_channels(self) -> list[str]:
        return [c for c in self.config.channels if c != ANY_CHANNEL]

    def spans_from_predictions(self, pred: TokenPredictions) -> list[Span]:
        spans = [s for channel in self.technique_channels() for s in self.channel_spans(pred, channel)]
        return sorted(spans, key=lambda s: (s.start, -s.end, s.label))

    def classify_batch(self, texts: list[str]) -> list[list[Span]]:
        """Spans for each text (possibly overlapping, each with a calibrated score): the technique channels' and the
        scare quotes and unhedged assertions, from the model's candidate heads in the same encoder pass where it
        has them, else from the separate rhetoric classifiers (``slant.model.rhetoric``)."""
        texts = list(texts)
        _check_texts(texts)
        if self.head_specs:  # one pass: the candidate heads read the same encoder pass as the token head
            results = []
            for pred in self.predict_tokens(texts, with_hidden=True):
                spans = self.spans_from_predictions(pred)
                if pred.text.strip():
                    spans += candidate_spans(self, pred, TextContext.build(pred.text))
                results.append(sorted(spans, key=lambda s: (s.start, -s.end, s.label)))
            return results
        rhetoric = load_classifiers(rhetoric_dir_for(self.model_dir))
        contexts = [TextContext.build(t) if rhetoric is not None and t.strip() else None for t in texts]
        # The rhetoric classifiers' vectors come out of the same forward pass as the technique probabilities.
        pool = None
        if rhetoric is not None and rhetoric.wants_vectors(self):
            pool = [rhetoric.vector_spans(ctx) if ctx is not None else [] for ctx in contexts]
        predictions = self.predict_tokens(texts, pool_spans=pool)
        results = []
        for i, pred in enumerate(predictions):
            spans = self.spans_from_predictions(pred)
            if contexts[i] is not None:
                vectors = vectors_from_prediction(self, pred, pool[i]) if pool is not None else None
                spans += rhetoric_spans(pred.text, self, ctx=contexts[i], vectors=vectors)
            results.append(sorted(spans, key=lambda s: (s.start, -s.end, s.label)))
        return results

    def classify(self, text: str) -> list[Span]:
        return self.classify_batch([text])[0]

    def si_spans(self, texts: list[str]) -> list[list[Span]]:
        """Spans of any technique (channel 0), the SemEval SI task."""
        return [self.channel_spans(pred, ANY_CHANNEL) for pred in self.predict_tokens(list(texts))]

    def span_probabilities(self, pred: TokenPredictions, spans: list[tuple[int, int]]) -> list[dict[str, float]]:
        if pred.hidden is None:
            raise ValueError("span probabilities need predictions made with with_hidden=True")
        results = []
        for start, end in spans:
            if not 0 <= start < end <= len(pred.text):
                raise ValueError(f"span ({start}, {end}) is not inside the text of {len(pred.text)} characters")
            token_range = char_span_to_tokens(pred.tokens.offsets, start, end)
            if token_range is None:  # only whitespace or characters the tokenizer drops: no evidence
                results.append({label: 1.0 / len(self.config.span_labels) for label in self.config.span_labels})
                continue
            first, last = token_range
            pooled = pool_span(pred.hidden, first, last)
            feats = torch.tensor(span_features(pred.text, start, end, last - first), dtype=torch.float32)
            with torch.inference_mode():
                logits = self.network.span_logits(pooled[None].to(self.device), feats[None].to(self.device))[0]
            probs = torch.softmax(logits.float().cpu(), dim=-1).tolist()
            results.append(dict(zip(self.config.span_labels, probs, strict=True)))
        return results

    def classify_spans(self, text: str, spans: list[tuple[int, int]]) -> list[dict[str, float]]:
        """For given character spans, the probability of each technique (the SemEval TC setting)."""
        pred = self.predict_tokens([text], with_hidden=True)[0]
        return self.span_probabilities(pred, spans)


_default: Tagger | None = None
_default_lock = threading.Lock()


def default_tagger() -> Tagger:
    """The shipped model, loaded once per process on first use (double-checked under a lock for threads)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Tagger.load()
    return _default


def classify(text: str) -> list[Span]:
    if not isinstance(text, str):
        raise TypeError(f"classify() takes a str, got {type(text).__name__}")
    return default_tagger().classify(text)


def classify_spans(text: str, spans: list[tuple[int, int]]) -> list[dict[str, float]]:
    return default_tagger().classify_spans(text, spans)
