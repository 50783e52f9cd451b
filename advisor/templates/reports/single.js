(function () {
  "use strict";
  // Re-ranking with other priorities, in the page. The report is complete HTML without this script.
  // Everything the engine worked out that does not depend on the priorities (each runtime's four axis
  // fits and cost fit, feasibility, the learned blend's terms) sits in the JSON block below; this script
  // only re-weights it with the engine's formula, so it holds no rule of its own:
  //   weights = priorities / their sum (equal weights when all are 0)
  //   rule score = sum over components of fit * weight
  //   with the learned blend: logit = constant + priority terms . priorities + score terms . rule scores,
  //   score = (1 - w) * rule score + w / (1 + exp(-clip(logit)))
  //   rank: feasible runtimes first, then by score (as advisor's engine ranks).
  // It reads and writes text with textContent and attributes only, so no text is ever parsed as markup.
  var source = document.getElementById("advisor-priorities-data");
  var panel = document.getElementById("priorities");
  if (!source || !panel) {
    return;
  }
  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (error) {
    return;
  }
  if (!data || data.format !== "advisor-report-priorities" || data.version !== 1) {
    return;
  }
  var runtimes = data.runtimes;
  var components = data.components;
  var original = data.priorities.slice();
  var inputs = components.map(function (c) {
    return panel.querySelector('input[name="priority_' + c + '"]');
  });
  if (inputs.some(function (input) { return !input; })) {
    return;
  }

  function all(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function attr(name, value) {
    return "[" + name + '="' + String(value).replace(/["\\]/g, "") + '"]';
  }

  // Python's "{:.Nf}": the exact binary value, rounded half to even on an exact tie (toFixed rounds
  // ties up: 0.125 -> "0.13" where the report's Python code writes "0.12").
  function fixed(x, digits) {
    var text = x.toFixed(digits);
    if (!(x >= 0) || x >= 1e20) {
      return text;
    }
    var exact = x.toFixed(100);
    var point = exact.indexOf(".");
    var rest = exact.slice(point + 1 + digits);
    if (!/^50*$/.test(rest)) {
      return text;
    }
    var kept = exact.slice(0, point + 1 + digits);
    var last = kept.charAt(kept.length - 1);
    if (last === ".") {
      last = kept.charAt(kept.length - 2);
    }
    if (parseInt(last, 10) % 2 === 0) {
      return digits === 0 ? kept.slice(0, point) : kept;
    }
    return text;
  }

  // round(x, 3) then "{:.2f}", as the report writes a weight.
  function weightText(w) {
    return fixed(Number(fixed(w, 3)), 2);
  }

  function weightsOf(priorities) {
    var total = priorities.reduce(function (a, b) { return a + b; }, 0);
    return priorities.map(function (p) { return total > 0 ? p / total : 1 / priorities.length; });
  }

  function scoresOf(priorities) {
    var weights = weightsOf(priorities);
    var rule = runtimes.map(function (rt) {
      var fits = data.fits[rt];
      var sum = 0;
      for (var c = 0; c < components.length; c += 1) {
        sum += fits[c] * weights[c];
      }
      return sum;
    });
    var blend = data.blend;
    var scores = rule.map(function (s, k) {
      if (!blend) {
        return s;
      }
      var rt = runtimes[k];
      var logit = blend.constant[rt];
      for (var j = 0; j < priorities.length; j += 1) {
        logit += blend.priority[rt][j] * priorities[j];
      }
      for (var r = 0; r < runtimes.length; r += 1) {
        logit += blend.score[rt][r] * rule[r];
      }
      logit = Math.min(blend.clip, Math.max(-blend.clip, logit));
      var probability = 1 / (1 + Math.exp(-logit));
      return (1 - blend.weight) * s + blend.weight * probability;
    });
    return { weights: weights, scores: scores };
  }

  function rank(scores) {
    // The engine's key: feasible * 10 + score, highest first, ties in runtime order.
    var keyed = runtimes.map(function (rt, k) {
      return { rt: rt, k: k, key: (data.feasible[rt] ? 10 : 0) + scores[k] };
    });
    keyed.sort(function (a, b) { return b.key - a.key || a.k - b.k; });
    return keyed.map(function (item) { return item.rt; });
  }

  function same(a, b) {
    return a.every(function (value, i) { return value === b[i]; });
  }

  function setText(selector, text) {
    all(selector).forEach(function (node) { node.textContent = text; });
  }

  function render(priorities) {
    var result = scoresOf(priorities);
    var order = rank(result.scores);
    var score = {};
    runtimes.forEach(function (rt, k) { score[rt] = result.scores[k]; });
    var first = data.feasible[order[0]] ? order[0] : "";
    var second = data.feasible[order[1]] ? order[1] : "";
    var changed = !same(priorities, original);

    inputs.forEach(function (input, i) {
      input.value = String(priorities[i]);
      input.setAttribute("aria-valuetext", priorities[i] + " of 5, weight " + weightText(result.weights[i]));
    });
    components.forEach(function (c, i) {
      setText(attr("data-rating", c), String(priorities[i]));
      setText(attr("data-weight", c), weightText(result.weights[i]));
    });

    // The decision.
    all("[data-recommendation]").forEach(function (node) { node.setAttribute("data-recommendation", first); });
    if (first) {
      setText('[data-field="answer"]', "Run it on " + data.labels[first] + ".");
      setText('[data-field="chosen"]', data.labels[first] + " (score " + fixed(score[first], 3) + ")");
      setText('[data-field="chosen-cost"]', data.cost_text[first]);
      setText('[data-value="runner_up"]', second ? data.labels[second] : "none");
    }

    // The scores table: rows in the new order, place and score of each runtime.
    var table = document.querySelector('table[data-table="scores"]');
    order.forEach(function (rt, place) {
      setText(attr("data-place-runtime", rt), String(place + 1));
      setText(attr("data-score-runtime", rt), fixed(score[rt], 3));
      setText(attr("data-article-score", rt), fixed(score[rt], 3));
      if (table && table.tBodies.length) {
        var row = table.tBodies[0].querySelector("tr" + attr("data-runtime", rt));
        if (row) {
          table.tBodies[0].appendChild(row);
        }
      }
      all("article.runtime" + attr("data-runtime", rt)).forEach(function (article) {
        article.parentNode.appendChild(article);
      });
      var role = rt === first ? " (recommended)" : rt === second ? " (runner-up)" : "";
      setText(attr("data-heading-runtime", rt), (place + 1) + ". " + data.labels[rt] + role);
    });

    // The priorities table, heaviest weight first as the report lists it.
    var priorityTable = document.querySelector('table[data-table="priorities"]');
    var byWeight = components.map(function (c, i) { return i; });
    byWeight.sort(function (a, b) { return result.weights[b] - result.weights[a] || a - b; });
    if (priorityTable && priorityTable.tBodies.length) {
      byWeight.forEach(function (i) {
        var row = priorityTable.tBodies[0].querySelector("tr" + attr("data-priority", components[i]));
        if (row) {
          priorityTable.tBodies[0].appendChild(row);
        }
      });
    }
    setText('[data-field="priority-caption"]', byWeight.map(function (i) {
      return components[i] + " " + priorities[i] + "/5";
    }).join(", "));

    // The score bars: width, text and row follow the new ranking.
    var geometry = data.bars;
    order.forEach(function (rt, place) {
      all("#chart-scores g.bar" + attr("data-label", data.labels[rt])).forEach(function (bar) {
        var home = barRows[rt];
        var length = Math.max(0, geometry.plot_width * Math.min(score[rt], geometry.top) / geometry.top);
        var rect = bar.querySelector("rect");
        var texts = bar.querySelectorAll("text");
        if (rect) {
          rect.setAttribute("width", length.toFixed(1));
        }
        if (texts.length > 1) {
          var value = texts[texts.length - 1];
          value.setAttribute("x", (geometry.x + length + 6).toFixed(1));
          value.textContent = fixed(score[rt], 3) + (data.feasible[rt] ? "" : " (not feasible)");
        }
        bar.setAttribute("transform", "translate(0 " + (place - home) * geometry.row_height + ")");
      });
    });

    // What the page cannot redo itself says which priorities it was worked out for.
    all("[data-stale]").forEach(function (node) {
      var kind = node.getAttribute("data-stale");
      node.hidden = kind === "recommendation" ? first === data.recommendation : !changed;
    });
    all('[data-value="confidence"]').forEach(function (node) { node.classList.toggle("stale-value", changed); });
    all("[data-action=reset]").forEach(function (button) { button.disabled = !changed; });
  }

  // Each score bar's row as the report drew it (first place at the top); moved bars are translated.
  var barRows = {};
  all("#chart-scores g.bar").forEach(function (bar, row) {
    runtimes.forEach(function (rt) {
      if (bar.getAttribute("data-label") === data.labels[rt]) {
        barRows[rt] = row;
      }
    });
  });

  function fromFragment() {
    var hash = window.location.hash.replace(/^#/, "");
    if (!hash) {
      return null;
    }
    var values = original.slice();
    var found = false;
    hash.split("&").forEach(function (part) {
      var pair = part.split("=");
      var index = components.indexOf(pair[0].replace(/^priority_/, ""));
      if (index >= 0 && pair.length === 2 && /^[0-5]$/.test(pair[1])) {
        values[index] = Number(pair[1]);
        found = true;
      }
    });
    return found ? values : null;
  }

  function toFragment(priorities) {
    var url = window.location.href.replace(/#.*$/, "");
    var hash = same(priorities, original) ? "" : "#" + components.map(function (c, i) {
      return "priority_" + c + "=" + priorities[i];
    }).join("&");
    try {
      window.history.replaceState(null, "", url + hash);
    } catch (error) {
      if (hash) {
        window.location.replace(hash);
      }
    }
  }

  function current() {
    return inputs.map(function (input) { return Number(input.value); });
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", function () {
      var priorities = current();
      render(priorities);
      toFragment(priorities);
    });
  });
  all("[data-action=reset]").forEach(function (button) {
    button.addEventListener("click", function () {
      render(original);
      toFragment(original);
    });
  });
  window.addEventListener("hashchange", function () {
    render(fromFragment() || original);
  });
  panel.hidden = false;
  render(fromFragment() || original);
})();
